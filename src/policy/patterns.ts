/** Field shapes shared by every section of the policy schema (kept apart so sections import no cycle). */
import { z } from 'zod';

/** Tool name patterns: exact names (`Bash`) or `*` wildcards (`mcp__github__*`). */
export const toolPattern = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_*-]+$/, 'a tool name or pattern of letters, digits, _, - and *');
