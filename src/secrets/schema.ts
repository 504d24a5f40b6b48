/** The `secrets:` section of the policy. */
import { z } from 'zod';

export const SecretsPolicySchema = z
  .object({
    mask: z.boolean().default(true).describe('Mask known secret values in the output of every Bash call once a secret is stored.'),
    inputs: z
      .enum(['ask', 'deny'])
      .default('deny')
      .describe('Decision for a tool call whose input contains a stored secret value in clear (any encoding).'),
    leakScan: z
      .boolean()
      .default(true)
      .describe('Scan tool results for stored secret values and common credential formats, and warn the model when one is found.'),
  })
  .strict()
  .prefault({});

export type SecretsPolicy = z.infer<typeof SecretsPolicySchema>;
