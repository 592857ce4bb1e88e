import type { EpisodeEnd, TrajectoryEventInput } from '../spec/trajectory.js';
import type { EpisodeSink, FinishedEpisode, StampedEvent } from './store.js';

/**
 * An episode recorded in memory, event by event with the time of each, for a process that has
 * no store of its own (a queue worker): the whole episode is then stored by the coordinator with
 * TrajectoryStore.recordEpisode, times included.
 */
export class EpisodeBuffer implements EpisodeSink {
  private readonly startedAt = new Date().toISOString();
  private readonly events: StampedEvent[] = [];
  private ended?: { end: EpisodeEnd; at: string };

  append(event: TrajectoryEventInput): void {
    this.events.push({ at: new Date().toISOString(), event });
  }

  finish(end: EpisodeEnd): void {
    this.ended ??= { end, at: new Date().toISOString() };
  }

  /** The episode as recorded; throws if the recorder never finished it. */
  finished(): FinishedEpisode {
    if (!this.ended) throw new Error('the episode was not finished');
    return { startedAt: this.startedAt, endedAt: this.ended.at, events: this.events, end: this.ended.end };
  }
}
