// A stream's connection state: live, reconnecting (why, when), refused (the server's reason).
import { useTranslation } from "react-i18next";
import type { StreamState } from "../lib/stream";

export function StreamBadge({ state, lastSeq, testId }: { state: StreamState; lastSeq: number; testId: string }) {
  const { t } = useTranslation();
  let text: string;
  switch (state.kind) {
    case "live":
      text = t("stream.live");
      break;
    case "connecting":
      text = t("stream.connecting");
      break;
    case "reconnecting":
      text = t("stream.reconnecting", { seconds: Math.round(state.inMs / 1000), attempt: state.attempt, code: state.code, message: state.message });
      break;
    case "refused":
      text = t("stream.refused", { code: state.code, message: state.message });
      break;
    case "closed":
      text = t("stream.closed");
      break;
  }
  return (
    <p
      className={`stream-state stream-${state.kind}`}
      role="status"
      aria-live="polite"
      data-testid={testId}
      data-state={state.kind}
      data-code={state.kind === "refused" || state.kind === "reconnecting" ? state.code : undefined}
      data-last-seq={lastSeq}
    >
      <span className="dot" aria-hidden="true" /> {text} <span className="muted">· {t("stream.lastSeq", { seq: lastSeq })}</span>
    </p>
  );
}
