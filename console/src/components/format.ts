// Display formatting that depends on the UI language (kept apart from the pure lib/ modules).
export function fmtTime(ms: number | null, lang: string): string {
  if (ms === null) return "—";
  return new Date(ms).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

export function splitList(s: string): string[] {
  return s
    .split(/[,，\s]+/)
    .map((x) => x.trim())
    .filter((x) => x !== "");
}
