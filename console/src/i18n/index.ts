// i18next set up with the two dictionaries; the language is the browser's (zh* → zh, else en)
// until the user picks one, which is remembered in localStorage.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en";
import { zh } from "./zh";

export const LANGUAGES = ["zh", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_KEY = "infobus.language";

/** The console's language for a list of browser languages (navigator.languages). */
export function pickLanguage(saved: string | null, browser: readonly string[]): Language {
  if (saved === "zh" || saved === "en") return saved;
  for (const l of browser) {
    const base = l.toLowerCase().split("-")[0];
    if (base === "zh") return "zh";
    if (base === "en") return "en";
  }
  return "en";
}

export function initI18n(lng: Language) {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, zh: { translation: zh } },
    lng,
    fallbackLng: "en",
    interpolation: { escapeValue: false }, // React escapes
    keySeparator: false, // keys are flat: "nav.analyst"
    nsSeparator: false,
  });
  return i18next;
}
