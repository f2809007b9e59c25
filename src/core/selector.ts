/**
 * Label selectors (metav1.LabelSelector) with the API's semantics:
 * `matchLabels` and every `matchExpressions` entry are ANDed; `{}` selects everything.
 */
import type { LabelSelector, LabelSelectorRequirement, Labels } from './model';

export const EVERYTHING: LabelSelector = Object.freeze({ matchLabels: Object.freeze({}), matchExpressions: Object.freeze([]) });

/** True when the selector has no requirements (selects everything). */
export function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels).length === 0 && sel.matchExpressions.length === 0;
}

function has(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

/** Whether one requirement holds for the labels. */
export function requirementMatches(req: LabelSelectorRequirement, labels: Labels): boolean {
  switch (req.operator) {
    case 'In':
      return has(labels, req.key) && req.values.includes(labels[req.key]!);
    case 'NotIn':
      // A pod without the key satisfies NotIn, as in the API.
      return !has(labels, req.key) || !req.values.includes(labels[req.key]!);
    case 'Exists':
      return has(labels, req.key);
    case 'DoesNotExist':
      return !has(labels, req.key);
  }
}

/** Whether the selector selects an object with these labels. */
export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  for (const key in sel.matchLabels) {
    if (!has(labels, key) || labels[key] !== sel.matchLabels[key]) return false;
  }
  for (const req of sel.matchExpressions) {
    if (!requirementMatches(req, labels)) return false;
  }
  return true;
}

/** The requirements the labels fail, each as a short text ("app=web-api", "tier in (db)"). */
export function unmetRequirements(sel: LabelSelector, labels: Labels): string[] {
  const out: string[] = [];
  for (const key in sel.matchLabels) {
    if (labels[key] !== sel.matchLabels[key] || !has(labels, key)) out.push(`${key}=${sel.matchLabels[key]}`);
  }
  for (const req of sel.matchExpressions) {
    if (!requirementMatches(req, labels)) out.push(formatRequirement(req));
  }
  return out;
}

export function formatRequirement(req: LabelSelectorRequirement): string {
  switch (req.operator) {
    case 'In':
      return `${req.key} in (${req.values.join(',')})`;
    case 'NotIn':
      return `${req.key} notin (${req.values.join(',')})`;
    case 'Exists':
      return req.key;
    case 'DoesNotExist':
      return `!${req.key}`;
  }
}

/** kubectl-style text of a selector; `{}` reads as "(all)". */
export function formatSelector(sel: LabelSelector): string {
  if (isEmptySelector(sel)) return '(all)';
  const parts = Object.keys(sel.matchLabels).map((k) => `${k}=${sel.matchLabels[k]}`);
  for (const req of sel.matchExpressions) parts.push(formatRequirement(req));
  return parts.join(',');
}

/** Builds a selector from plain matchLabels. */
export function selectorOf(matchLabels: Labels, matchExpressions: readonly LabelSelectorRequirement[] = []): LabelSelector {
  return { matchLabels, matchExpressions };
}
