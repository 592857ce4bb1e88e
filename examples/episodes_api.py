#!/usr/bin/env python3
"""Drive an envscale episode over HTTP with the Python standard library only.

Start a server first:

    npx envscale serve projects --http            # http://127.0.0.1:8808

then run:

    python3 examples/episodes_api.py [--url http://127.0.0.1:8808] [--token SECRET]

The example plays task projects-001-dana-workload with a small hand-written policy: it reads the
user's e-mail address from their request, looks the member up, reads their workload, and tells
them what it found. Every action goes through the step API (POST /v1/episodes/<id>/step); the
reward arrives on the step that ends the episode (the user says ###STOP###) and is the one
`envscale evaluate` computes for the same calls and messages.
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.request


class Env:
    """A thin client of the episodes API."""

    def __init__(self, url, token=None):
        self.url = url.rstrip("/")
        self.headers = {"content-type": "application/json"}
        if token:
            self.headers["authorization"] = "Bearer " + token

    def request(self, method, url, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method, headers=self.headers)
        try:
            with urllib.request.urlopen(req) as res:
                text = res.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            # Every error answers {"error": {"code", "message"}}: the message says what to do.
            detail = json.loads(err.read().decode("utf-8") or "{}").get("error", {})
            raise SystemExit("HTTP %d: %s" % (err.code, detail.get("message", err.reason)))

    def reset(self, domain, task, user="scripted", seed=0):
        return self.request("POST", self.url + "/v1/episodes", {"domain": domain, "task": task, "user": user, "seed": seed})

    def step(self, episode, action):
        # The episode's own URL, as reset returned it: with several server processes it names the one holding it.
        return self.request("POST", episode["url"] + "/step", {"action": action})

    def call_tool(self, episode, name, arguments):
        return self.step(episode, {"type": "call_tool", "tool_name": name, "arguments": arguments})

    def say(self, episode, content):
        return self.step(episode, {"type": "message", "content": content})

    def state(self, episode):
        return self.request("GET", episode["url"])

    def close(self, episode):
        self.request("DELETE", episode["url"])


def play(env):
    episode = env.reset("projects", "projects-001-dana-workload")
    obs = episode["observation"]
    print("episode", episode["episode_id"], "with", len(obs["tools"]), "tools")
    print("user:", obs["user_message"])

    email = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", obs["user_message"]).group(0)
    found = env.call_tool(episode, "find_member_by_email", {"email": email})
    member = json.loads(found["observation"]["content"])
    print("tool find_member_by_email ->", member["id"])

    workload = env.call_tool(episode, "get_member_workload", {"member_id": member["id"]})
    if workload["observation"]["is_error"]:
        raise SystemExit("the tool refused: " + workload["observation"]["content"])
    tasks = json.loads(workload["observation"]["content"])["open_tasks"]
    first = min(tasks, key=lambda t: t["due_date"])
    print("tool get_member_workload ->", len(tasks), "open tasks")

    step = env.say(episode, "Done: you have %d open tasks; the first one due is %s (%s)." % (len(tasks), first["title"], first["due_date"]))
    print("user:", step["observation"]["content"])
    while not step["done"]:
        step = env.say(episode, "Is there anything else I can help with?")
        print("user:", step["observation"]["content"])

    status = env.state(episode)
    print("steps", status["steps"], "stop", status["stop_reason"], "reward", step["reward"])
    env.close(episode)
    return step["reward"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8808")
    parser.add_argument("--token", default=None)
    args = parser.parse_args()
    reward = play(Env(args.url, args.token))
    sys.exit(0 if reward == 1 else 1)


if __name__ == "__main__":
    main()
