import type { encoderStages } from "@/drizzle/schema";

/** An encoder version's stage: production green, staging amber, archived struck through. */
export function StageBadge({ stage }: { stage: (typeof encoderStages)[number] }) {
  return <span className={`stage stage-${stage}`}>{stage === "none" ? "no stage" : stage}</span>;
}
