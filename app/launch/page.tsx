import { LaunchForm } from "./launch-form";

export default function LaunchPage() {
  return (
    <>
      <h1>Launch</h1>
      <p className="subtitle">
        Enqueue a pretraining run, a sweep, an evaluation or a dataset audit. The form is generated from the config&apos;s schema (every
        field with its default and what it does), or edit the same config as JSON; each field is checked as you type, and nothing is
        queued while one is wrong. A worker takes the job: the embedded one in <code>npm run dev</code>, or any <code>pretext worker</code>{" "}
        on the same database. Example configs are in <code>workers/engine/configs/</code>.
      </p>
      <LaunchForm />
    </>
  );
}
