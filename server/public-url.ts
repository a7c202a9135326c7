/** The app's address as people reach it, for links in printed messages and emails ($PRETEXT_PUBLIC_URL). */
export const publicUrl = () => (process.env.PRETEXT_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
