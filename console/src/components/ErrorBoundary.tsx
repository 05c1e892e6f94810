// A view that throws while rendering shows the error instead of a blank page.
import { Component, type ReactNode } from "react";

export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidUpdate(prev: { resetKey: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error !== null) this.setState({ error: null });
  }

  render() {
    if (this.state.error !== null)
      return (
        <p className="error" role="alert" data-testid="view-crashed">
          INTERNAL: {this.state.error.message}
        </p>
      );
    return this.props.children;
  }
}
