// What every view needs: the API client (reading the current token) and who is signed in.
import { createContext, useContext } from "react";
import type { ApiClient } from "../lib/api";
import type { Claims, View } from "../lib/jwt";

export interface Session {
  api: ApiClient;
  token: string;
  claims: Claims;
  views: View[];
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error("useSession outside a signed-in session"); // a programming error
  return s;
}
