import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from "@/server/testing/databases";
import { query } from "@/server/db/sql";
import { logBatch } from "./metrics";
import { createRun, getRun } from "./runs";
import { failSilentRuns, heartbeat } from "./silent-runs";

describe.each(DATABASE_KINDS)("silent runs on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it("fails a running run without a job whose client went quiet, and only that one", async () => {
    const make = async (name: string) => (await createRun(t.database, { experiment: "silent", name })).id;
    const [quiet, beating, logging, queuedJob, finished] = [await make("quiet"), await make("beating"), await make("logging"), await make("job"), await make("done")];
    // all of them started two hours ago
    await query(t.database, "update runs set created_at = now() - interval '2 hours', started_at = now() - interval '2 hours' where experiment_id = (select experiment_id from runs where id = $1)", [quiet]);
    await query(t.database, "update runs set job_id = 'job-1', job_kind = 'pretrain' where id = $1", [queuedJob]);
    await query(t.database, "update runs set status = 'finished' where id = $1", [finished]);
    expect(await heartbeat(t.database, beating)).toEqual({ status: "running" });
    await logBatch(t.database, logging, { metrics: [{ key: "loss", step: 0, value: 1 }] });

    expect(await failSilentRuns(t.database, 60)).toEqual([quiet]);
    const failed = await getRun(t.database, quiet);
    expect(failed.status).toBe("failed");
    expect(failed.statusReason).toMatch(/no sign of life for 60 minutes/);
    expect(failed.endedAt).not.toBeNull();
    for (const id of [beating, logging, queuedJob]) expect((await getRun(t.database, id)).status).toBe("running");
    expect(await failSilentRuns(t.database, 60)).toEqual([]); // nothing twice
    await expect(heartbeat(t.database, 2_000_000_000)).rejects.toMatchObject({ status: 404 });
  });
});
