/**
The theme context: one place the panes get their glyphs and colours from (the data is src/format/theme.ts).
The front end chooses it once, from `--ascii` or the config, and wraps the App in a ThemeProvider; without one
the panes draw with Unicode glyphs. No pane takes an `ascii` prop.
*/
import {createContext, useContext, type ReactNode} from 'react';
import {UNICODE_THEME, type Theme} from '../src/format/theme.js';

export {ASCII_THEME, UNICODE_THEME, themeFor} from '../src/format/theme.js';

const ThemeContext = createContext<Theme>(UNICODE_THEME);

export interface ThemeProviderProps {
	readonly theme: Theme;
	readonly children?: ReactNode;
}

/** Serve `theme` to every pane below. */
export function ThemeProvider({theme, children}: ThemeProviderProps) {
	return <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>;
}

/** The glyphs and colours to draw with. */
export function useTheme(): Theme {
	return useContext(ThemeContext);
}
