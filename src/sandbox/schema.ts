/** The `sandbox:` section of the policy. */
import { z } from 'zod';

export const SandboxPolicySchema = z
  .object({
    mode: z
      .enum(['on', 'off'])
      .default('on')
      .describe('on: every Bash command runs confined by the OS. off: no confinement (recorded in the audit trail).'),
  })
  .strict()
  .prefault({});
