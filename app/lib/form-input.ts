/** What form fields hold, as the API takes it. */

/** A number as typed; empty text is NaN, so the server names the field instead of taking 0. */
export const numberOf = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));

/** Addresses typed separated by commas, semicolons or spaces. */
export const addressList = (text: string) => text.split(/[\s,;]+/).filter(Boolean);
