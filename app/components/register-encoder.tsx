"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { trpc } from "@/app/lib/trpc-client";
import { versionHref } from "@/app/lib/encoder-registry";

export interface EncoderSource {
  /** the run that trained the encoder, and its encoder file */
  runId: number;
  artifactName: string;
  /** a classification head fitted by an evaluation run, served with the encoder */
  head?: { runId: number; artifactName: string };
}

/** "Register encoder": a new version of a named encoder from a run's encoder file, then a link to it. */
export function RegisterEncoderButton({ source, suggestedName, label = "Register encoder" }: { source: EncoderSource; suggestedName: string; label?: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(suggestedName);
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [registered, setRegistered] = useState<{ name: string; version: number } | null>(null);
  if (registered) {
    return (
      <span className="ok-inline" data-testid="registered">
        Registered <Link href={versionHref(registered.name, registered.version)}>{registered.name} v{registered.version}</Link>
      </span>
    );
  }
  if (!open) {
    return (
      <button className="button" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  }
  return (
    <form
      className="register-encoder"
      data-testid="register-encoder"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const row = await trpc.registry.register.mutate({ name: name.trim(), runId: source.runId, artifactName: source.artifactName, ...(source.head ? { head: source.head } : {}), description });
          setRegistered({ name: row.name, version: row.version });
          router.refresh(); // the run now holds the exported ONNX model too
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required aria-label="encoder name" />
      </label>
      <label>
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} aria-label="description" placeholder="optional" />
      </label>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? "Registering…" : "Register"}
      </button>
      <button type="button" className="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && <span className="inline-error">{error}</span>}
    </form>
  );
}
