/** The token a bench sends: the app's local admin token, which the bench puts in PRETEXT_TOKEN after startApp (PretextClient reads it too). */
export const authHeaders = (): Record<string, string> => (process.env.PRETEXT_TOKEN ? { authorization: `Bearer ${process.env.PRETEXT_TOKEN}` } : {});
