/**
 * The page's files as the one-file papo holds them: scripts/build.ts puts
 * this module's text in the executable in place of this file, with every
 * file of PAGE_FILES and the bundled script. From a checkout it is null and
 * the page is read from src/web (assets.ts).
 */

export const BUILT_PAGE: Readonly<Record<string, string>> | null = null;
