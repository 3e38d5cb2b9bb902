// What Vite's `?worker&url` import gives: the URL of the bundled worker script.
declare module '*?worker&url' {
  const url: string;
  export default url;
}
