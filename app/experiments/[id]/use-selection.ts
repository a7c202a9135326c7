"use client";

import { useEffect, useState } from "react";

/**
 * The selected run ids of an experiment, kept in sessionStorage so a selection survives paging,
 * sorting and filtering; every component using it sees the same set.
 */
export function useSelection(experimentId: number) {
  const storageKey = `pretext:selected:${experimentId}`;
  const [ids, setIds] = useState<number[]>([]);
  useEffect(() => {
    const read = () => setIds(JSON.parse(sessionStorage.getItem(storageKey) ?? "[]") as number[]);
    read();
    window.addEventListener("pretext-selection", read);
    return () => window.removeEventListener("pretext-selection", read);
  }, [storageKey]);
  const save = (next: number[]) => {
    sessionStorage.setItem(storageKey, JSON.stringify(next));
    window.dispatchEvent(new Event("pretext-selection"));
  };
  return {
    ids,
    has: (id: number) => ids.includes(id),
    toggle: (id: number) => save(ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]),
    setMany: (many: number[], on: boolean) => save(on ? [...new Set([...ids, ...many])] : ids.filter((x) => !many.includes(x))),
    clear: () => save([]),
  };
}
