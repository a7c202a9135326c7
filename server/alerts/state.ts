/**
 * An alert rule's state machine, one checked window at a time:
 *   ok / resolved --(`consecutive` breaching windows)--> firing --(`consecutive` clear windows)--> resolved
 * A window without the figure (too few samples) changes nothing. A rule that fires again within
 * `cooldownMinutes` of resolving continues the same episode: the transition is stored, marked
 * deduplicated, and no second email goes out. One email per episode, never one per window.
 */
import type { AlertState } from "@/drizzle/schema";

export interface RuleState {
  state: AlertState;
  /** windows in a row past the threshold (ok/resolved) or back within it (firing) */
  streak: number;
  episodeStart: Date | null;
  resolvedAt: Date | null;
}

export interface RuleTiming {
  consecutive: number;
  cooldownMinutes: number;
}

export interface Transition {
  from: AlertState;
  to: AlertState;
  /** a firing inside the cooldown: stored, not emailed */
  deduplicated: boolean;
}

export function nextRuleState(rule: RuleState & RuleTiming, breach: boolean | null, window: { start: Date; end: Date }): { next: RuleState; transition: Transition | null } {
  const { state, streak, episodeStart, resolvedAt } = rule;
  const keep = { state, streak, episodeStart, resolvedAt };
  if (breach === null) return { next: keep, transition: null };
  if (state !== "firing") {
    if (!breach) return { next: { ...keep, streak: 0, episodeStart: null }, transition: null };
    const next = { ...keep, streak: streak + 1, episodeStart: episodeStart ?? window.start };
    if (next.streak < rule.consecutive) return { next, transition: null };
    const deduplicated = state === "resolved" && resolvedAt !== null && window.end.getTime() - resolvedAt.getTime() < rule.cooldownMinutes * 60_000;
    return { next: { ...next, state: "firing", streak: 0 }, transition: { from: state, to: "firing", deduplicated } };
  }
  if (breach) return { next: { ...keep, streak: 0 }, transition: null };
  if (streak + 1 < rule.consecutive) return { next: { ...keep, streak: streak + 1 }, transition: null };
  return { next: { state: "resolved", streak: 0, episodeStart: null, resolvedAt: window.end }, transition: { from: "firing", to: "resolved", deduplicated: false } };
}
