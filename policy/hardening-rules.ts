/** The checklist (docs/hardening.md) as per-resource rules, in the order the pack reports them. */
import { isolationRules } from "./isolation-rules";
import { objectRules } from "./object-rules";
import { podRules } from "./pod-rules";
import type { ResourceRule } from "./types";

export const hardeningRules: readonly ResourceRule[] = [...podRules, ...objectRules, ...isolationRules];
