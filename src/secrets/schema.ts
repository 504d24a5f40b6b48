/** The `secrets:` section of the policy. */
import { z } from 'zod';

export const SecretsPolicySchema = z
  .object({
    mask: z.boolean().default(true).describe('Mask known secret values in the output of every Bash call once a secret is stored.'),
  })
  .strict()
  .prefault({});
