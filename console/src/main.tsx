import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { initI18n, LANGUAGE_KEY, pickLanguage } from "./i18n";
import { App } from "./app/App";
import "./styles.css";

const lang = pickLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages ?? [navigator.language]);
initI18n(lang);
document.documentElement.lang = lang;

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
