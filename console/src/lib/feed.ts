// The analyst's stream as a list: newest first, one row per judgment (the log also carries each
// review as a later entry with the same judgment id: it replaces the row in place), bounded.
import type { JudgmentRecord } from "./model";

export interface FeedItem {
  record: JudgmentRecord;
  arrivedAt: number; // ms, when the browser received it
  fresh: boolean; // arrived live (not in the replay right after connecting)
}

export const FEED_MAX = 500;
export const FRESH_MS = 5000; // how long a new judgment stays highlighted
export const BACKLOG_MS = 1500; // what arrives this soon after the stream opened is the replay

export function upsert(items: readonly FeedItem[], record: JudgmentRecord, arrivedAt: number, openedAt: number, max = FEED_MAX): FeedItem[] {
  const item = { record, arrivedAt, fresh: arrivedAt - openedAt > BACKLOG_MS };
  const i = items.findIndex((x) => x.record.judgment.judgmentId === record.judgment.judgmentId);
  if (i >= 0) {
    const next = [...items];
    next[i] = item;
    return next;
  }
  return [item, ...items].slice(0, max);
}

export function isHighlighted(item: FeedItem, now: number): boolean {
  return item.fresh && now - item.arrivedAt < FRESH_MS;
}
