// A refused or failed call, as the server said it: its code and message.
import { useTranslation } from "react-i18next";
import type { ApiError } from "../lib/api";

export function ErrorBox({ error, testId = "error" }: { error: ApiError; testId?: string }) {
  const { t } = useTranslation();
  return (
    <p className="error" role="alert" data-testid={testId} data-code={error.code}>
      {t("common.error", { code: error.code, message: error.message || "—" })}
    </p>
  );
}
