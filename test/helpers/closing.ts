/** What an agent says when it is done, with every string the task asks it to communicate (for tests that play the agent by hand). */
export function closingLine(communicate: string[]): string {
  return communicate.length === 0 ? 'Done: your request is complete.' : `Done: your request is complete. ${communicate.join('; ')}.`;
}
