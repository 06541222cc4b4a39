/**
 * Starts the protocol listeners (SRT, RTP) for a manager. Each adapter registers
 * itself in `manager.listeners`; a listener that cannot start reports why in its
 * health and the others keep working.
 */
import type { Manager } from "./manager.ts";

/** Starts every configured listener. */
export async function startListeners(_manager: Manager): Promise<void> {
  // Adapters are wired in by the SRT and RTP modules.
}
