import { LaunchForm } from "./launch-form";

export default function LaunchPage() {
  return (
    <>
      <h1>Launch</h1>
      <p className="subtitle">
        Enqueue a pretraining run or a sweep. A worker takes it: the embedded one in <code>npm run dev</code>, or any{" "}
        <code>pretext worker</code> on the same database. Examples of configs are in <code>workers/engine/configs/</code>.
      </p>
      <LaunchForm />
    </>
  );
}
