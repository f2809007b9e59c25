import assert from 'node:assert/strict';
import { cellStyle, changeColor, contrastRatio, luminance, mix, parseColor, readPalette, readableOn, themeKind, withAlpha, type ThemeKind } from '../../src/webview/matrix/colors';
import { THEMES, type Theme } from './themes';

const vars = (theme: Theme) => (name: string): string => THEMES[theme].vars[name.replace(/^--vscode-/, '')] ?? '';
const kinds: Record<Theme, ThemeKind> = { light: 'light', dark: 'dark', 'high-contrast': 'high-contrast' };

describe('matrix colours (pure)', () => {
  it('parses the colour forms VS Code themes use', () => {
    assert.deepEqual(parseColor('#1f1f1f'), { r: 31, g: 31, b: 31, a: 1 });
    assert.deepEqual(parseColor('#FFF'), { r: 255, g: 255, b: 255, a: 1 });
    assert.deepEqual(parseColor('#ffffff80'), { r: 255, g: 255, b: 255, a: 128 / 255 });
    assert.deepEqual(parseColor('rgba(0, 0, 0, 0.36)'), { r: 0, g: 0, b: 0, a: 0.36 });
    assert.deepEqual(parseColor('rgb(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 });
    assert.equal(parseColor('var(--x)'), undefined);
    assert.equal(withAlpha('#ff0000', 0.5), 'rgba(255, 0, 0, 0.500)');
    assert.equal(withAlpha('#ff000080', 0.5), 'rgba(255, 0, 0, 0.251)');
    assert.equal(withAlpha('red', 0.5), 'red', 'a name is passed through');
  });

  it('reads the theme kind from the body classes', () => {
    assert.equal(themeKind(['vscode-light']), 'light');
    assert.equal(themeKind(['vscode-dark']), 'dark');
    assert.equal(themeKind(['vscode-high-contrast']), 'high-contrast');
    assert.equal(themeKind(['vscode-high-contrast', 'vscode-high-contrast-light']), 'high-contrast-light');
    assert.equal(themeKind([]), 'dark');
  });

  it('takes the theme variables, with fallbacks for unset ones', () => {
    const dark = readPalette(vars('dark'), 'dark');
    assert.equal(dark.allowed, '#89d185');
    assert.equal(dark.denied, '#cb4444', 'the chart red, 82% over the background');
    assert.equal(dark.focus, '#0078d4');
    assert.equal(dark.contrastBorder, undefined);
    assert.equal(dark.fontSize, 13);
    const hc = readPalette(vars('high-contrast'), 'high-contrast');
    assert.equal(hc.contrastBorder, '#6fc3df', 'high contrast outlines every cell');
    assert.equal(hc.denied, '#f48771', 'and keeps the full red');
    assert.equal(mix('#ff0000', '#000000', 0.5), '#800000');
    assert.equal(mix('nope', '#000000', 0.5), 'nope');
    const bare = readPalette(() => '', 'light');
    assert.equal(bare.allowed, '#388a34');
    assert.equal(bare.background, '#ffffff');
    assert.match(bare.fontFamily, /system-ui/);
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`is readable in ${theme}: glyphs on cells ≥ 3:1, allowed and denied apart`, () => {
      const p = readPalette(vars(theme), kinds[theme]);
      for (const code of [65, 68, 83]) {
        const st = cellStyle(code, p);
        assert.ok(st.glyph);
        const ratio = contrastRatio(st.glyphColor!, st.fill)!;
        assert.ok(ratio >= 3, `${theme} ${String.fromCharCode(code)}: ${st.glyphColor} on ${st.fill} is ${ratio.toFixed(2)}:1`);
      }
      // Red and green differ in lightness too, not only in hue (for red-green colour blindness), and the glyphs differ anyway.
      const dl = Math.abs(luminance(p.allowed)! - luminance(p.denied)!);
      assert.ok(dl > 0.03 || cellStyle(65, p).glyph !== cellStyle(68, p).glyph);
      assert.ok(contrastRatio(p.focus, p.background)! >= 3, `${theme}: the focus ring stands out`);
    });
  }

  it('fades cells a mode does not emphasise, and marks changes', () => {
    const p = readPalette(vars('dark'), 'dark');
    assert.equal(cellStyle(65, p).fill, '#89d185');
    assert.equal(cellStyle(65, p, true).fill, 'rgba(137, 209, 133, 0.280)');
    assert.equal(cellStyle(78, p).glyph, undefined, 'n/a has no glyph');
    assert.equal(cellStyle(45, p).fill, p.self);
    assert.equal(changeColor(43, p), p.opened);
    assert.equal(changeColor(45, p), p.closed);
    assert.equal(changeColor(126, p), p.some);
    assert.equal(changeColor(32, p), undefined);
    assert.equal(readableOn('#ffffff'), '#000000');
    assert.equal(readableOn('#000000'), '#ffffff');
  });
});
