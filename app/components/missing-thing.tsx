"use client";

import { usePathname } from "next/navigation";
import { describeMissing } from "@/app/lib/describe-missing";

/** The not-found page's heading: which run, experiment or page was asked for. */
export function MissingThing() {
  const { title, detail } = describeMissing(usePathname() ?? "/");
  return (
    <>
      <h1>{title}</h1>
      <p className="subtitle">{detail}</p>
    </>
  );
}
