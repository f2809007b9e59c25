export type Theme = 'light' | 'dark' | 'high-contrast';

/** Theme variables as VS Code's Light Modern, Dark Modern and Dark High Contrast set them (the ones the webviews read). */
export const THEMES: Record<Theme, { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', foreground: '#cccccc', descriptionForeground: '#9d9d9d',
      'sideBar-background': '#181818', 'panel-border': '#2b2b2b', 'editorWidget-background': '#202020', 'editorWidget-border': '#313131',
      'charts-green': '#89d185', 'charts-red': '#f14c4c', 'charts-yellow': '#cca700', 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-purple': '#b180d7',
      focusBorder: '#0078d4', 'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
      'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'button-secondaryHoverBackground': '#3c3c3c', 'button-border': '#ffffff12',
      'input-background': '#313131', 'input-border': '#3c3c3c', 'input-foreground': '#cccccc', 'input-placeholderForeground': '#989898',
      'dropdown-background': '#313131', 'dropdown-border': '#3c3c3c', 'dropdown-foreground': '#cccccc',
      'editorHoverWidget-background': '#202020', 'editorHoverWidget-border': '#454545', 'editorHoverWidget-foreground': '#cccccc',
      'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc', 'widget-shadow': 'rgba(0, 0, 0, 0.36)',
      'list-activeSelectionBackground': '#04395e', 'editorWarning-foreground': '#cca700', 'editorError-foreground': '#f14c4c',
      'keybindingLabel-background': '#8080802b', 'keybindingLabel-foreground': '#cccccc', 'textBlockQuote-background': '#2b2b2b',
      'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': '"DejaVu Sans Mono", monospace',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', foreground: '#3b3b3b', descriptionForeground: '#616161',
      'sideBar-background': '#f8f8f8', 'panel-border': '#e5e5e5', 'editorWidget-background': '#f8f8f8', 'editorWidget-border': '#c8c8c8',
      'charts-green': '#388a34', 'charts-red': '#e51400', 'charts-yellow': '#bf8803', 'charts-blue': '#1a85ff', 'charts-orange': '#d18616', 'charts-purple': '#652d90',
      focusBorder: '#005fb8', 'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
      'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'button-secondaryHoverBackground': '#cccccc', 'button-border': '#0000001a',
      'input-background': '#ffffff', 'input-border': '#cecece', 'input-foreground': '#3b3b3b', 'input-placeholderForeground': '#767676',
      'dropdown-background': '#ffffff', 'dropdown-border': '#cecece', 'dropdown-foreground': '#3b3b3b',
      'editorHoverWidget-background': '#f8f8f8', 'editorHoverWidget-border': '#c8c8c8', 'editorHoverWidget-foreground': '#3b3b3b',
      'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8', 'widget-shadow': 'rgba(0, 0, 0, 0.16)',
      'list-activeSelectionBackground': '#e8e8e8', 'editorWarning-foreground': '#bf8803', 'editorError-foreground': '#e51400',
      'keybindingLabel-background': '#dddddd66', 'keybindingLabel-foreground': '#3b3b3b', 'textBlockQuote-background': '#f8f8f8',
      'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': '"DejaVu Sans Mono", monospace',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      'editor-background': '#000000', 'editor-foreground': '#ffffff', foreground: '#ffffff', descriptionForeground: '#ffffffb3',
      'sideBar-background': '#000000', 'panel-border': '#6fc3df', 'editorWidget-background': '#0c141f', 'editorWidget-border': '#6fc3df',
      'charts-green': '#89d185', 'charts-red': '#f48771', 'charts-yellow': '#ffd700', 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-purple': '#b180d7',
      focusBorder: '#f38518', contrastBorder: '#6fc3df', 'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
      'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff',
      'input-background': '#000000', 'input-border': '#6fc3df', 'input-foreground': '#ffffff', 'input-placeholderForeground': '#ffffffb3',
      'dropdown-background': '#000000', 'dropdown-border': '#6fc3df', 'dropdown-foreground': '#ffffff',
      'editorHoverWidget-background': '#0c141f', 'editorHoverWidget-border': '#6fc3df', 'editorHoverWidget-foreground': '#ffffff',
      'textLink-foreground': '#21a6ff', 'textLink-activeForeground': '#21a6ff', 'editorWarning-foreground': '#ffd700', 'editorError-foreground': '#f48771',
      'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', 'font-size': '13px', 'editor-font-family': '"DejaVu Sans Mono", monospace',
    },
  },
};
