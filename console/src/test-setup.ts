import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom has no matchMedia; antd's responsive helpers (Grid, Layout.Sider breakpoints) ask it.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// Nor ResizeObserver; antd's Table measures its columns with it. Nothing resizes in jsdom: observe and forget.
if (typeof window.ResizeObserver === 'undefined') {
  class StillResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  window.ResizeObserver = StillResizeObserver as unknown as typeof ResizeObserver;
}

// Nor Blob.text(), which the upload dialogs read a chosen file with: read it with jsdom's FileReader, as it is.
if (typeof Blob.prototype.text !== 'function') {
  Blob.prototype.text = function text(this: Blob) {
    return new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
      reader.readAsText(this);
    });
  };
}

// jsdom computes no pseudo-element styles (and logs so at every antd scroll-bar measurement): ask for the element's.
const computedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => computedStyle(element);

// antd renders over several ticks, slowly when the two-core machine runs the whole suite: findBy and waitFor
// wait up to 5 s (a pass is as fast as before; only a failure reports later).
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
});
