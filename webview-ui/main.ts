// Offers picker webview (browser side).
export {};
