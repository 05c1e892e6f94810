#pragma once

namespace infobus {

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards; call
// first thing in main, before any library spawns threads.
void BlockTerminationSignals();

// Waits until SIGINT or SIGTERM arrives; returns the signal number.
int WaitForTerminationSignal();
// The same for at most `timeout_ms` milliseconds; 0 when none arrived.
int WaitForTerminationSignalFor(int timeout_ms);

}  // namespace infobus
