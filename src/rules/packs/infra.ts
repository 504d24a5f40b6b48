/**
 * infra: infrastructure teardown. terraform/tofu destroy and unattended apply, kubectl delete, helm uninstall,
 * cloud CLI deletes (aws, gcloud, az), docker prunes that take images or volumes. Read-only verbs pass.
 */
import type { Command, Finding, RulePack } from '../../ir/types.js';
import { args, finding, nameOf, rule, str } from '../util.js';

const R = {
  tf: rule('infra.terraform-destroy', 'high', 'ask', 'terraform/tofu destroy, apply -auto-approve, state rm.', 'terraform destroy'),
  k8s: rule('infra.kubectl-delete', 'high', 'ask', 'kubectl delete / drain / replace --force, helm uninstall.', 'kubectl delete ns prod'),
  cloud: rule('infra.cloud-delete', 'high', 'ask', 'Cloud CLI delete/terminate operations (aws, gcloud, az, s3 rm --recursive, s3 rb).', 'aws ec2 terminate-instances --instance-ids i-1'),
  docker: rule('infra.docker-prune', 'medium', 'ask', 'docker system prune -a/--volumes, volume rm/prune, compose down -v.', 'docker system prune -a --volumes'),
};

const VALUE_OPTS = /^(-n|--namespace|--context|--kubeconfig|--cluster|--user|-l|--selector|-o|--output|--region|--profile|--endpoint-url|--query|--project|--subscription|-g|--resource-group|--format|--filter|--zone|-s|--server|-H|--host|-f|--file|-p|--project-name|--env-file|-c|--config|--log-level|--chdir)$/;

/** Positional words (subcommands and operands) with value-taking options skipped. */
export function positionals(cmd: Command): string[] {
  const a = args(cmd).map(str);
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const s = a[i]!;
    if (s === '--') { out.push(...a.slice(i + 1)); break; }
    if (s.startsWith('-')) { if (VALUE_OPTS.test(s)) i++; continue; }
    out.push(s);
  }
  return out;
}

const has = (cmd: Command, re: RegExp) => args(cmd).some((w) => re.test(str(w)));

function terraform(cmd: Command, n: string, p: string[]): Finding[] {
  const sub = p[0] ?? '';
  const alt = 'run `plan` and let the user apply it';
  if (sub === 'destroy' || (n === 'pulumi' && (sub === 'destroy' || (sub === 'stack' && p[1] === 'rm')))) return [finding(R.tf, cmd, `${n} ${sub} tears down every resource in the state.`, alt)];
  if ((sub === 'apply' || sub === 'up') && has(cmd, /^--?(auto-approve|destroy|yes)$|^-y$/)) return [finding(R.tf, cmd, `${n} ${sub} ${has(cmd, /destroy/) ? '-destroy' : '-auto-approve'} changes live infrastructure without review.`, alt)];
  if (sub === 'state' && (p[1] === 'rm' || p[1] === 'push')) return [finding(R.tf, cmd, `${n} state ${p[1]} rewrites the state file; resources may be orphaned or destroyed later.`, alt)];
  if (sub === 'workspace' && p[1] === 'delete') return [finding(R.tf, cmd, `${n} workspace delete removes a state.`, alt)];
  return [];
}

function docker(cmd: Command, n: string, p: string[]): Finding[] {
  const [a, b] = p;
  const alt = 'remove specific containers or images by name';
  if (a === 'system' && b === 'prune' && has(cmd, /^(-[a-z]*a[a-z]*|--all|--volumes)$/)) return [finding(R.docker, cmd, `${n} system prune ${has(cmd, /volumes/) ? '--volumes deletes every unused volume (database data included)' : '-a deletes every unused image and build cache'}.`, alt)];
  if (a === 'volume' && (b === 'rm' || b === 'prune' || b === 'remove')) return [finding(R.docker, cmd, `${n} volume ${b} deletes volume data permanently.`, 'back the volume up first')];
  if ((a === 'compose' && p.includes('down') || n === 'docker-compose' && a === 'down') && has(cmd, /^(-v|--volumes|-[a-z]*v[a-z]*)$/)) return [finding(R.docker, cmd, `${n} compose down -v deletes the project's volumes (database data included).`, 'use `compose down` without -v')];
  return [];
}

function cloud(cmd: Command, n: string, p: string[]): Finding[] {
  const alt = 'check the target with a describe/list command and let the user run the deletion';
  if (n === 'aws') {
    const [svc, op] = p;
    if (svc === 's3' && (op === 'rb' || op === 'rm' || (op === 'sync' && has(cmd, /^--delete$/) && !has(cmd, /^--dryrun$/)))) {
      return [finding(R.cloud, cmd, `aws s3 ${op} ${p.slice(2).join(' ')} deletes objects${op === 'rb' ? ' and the bucket' : ''} in S3.`, alt)];
    }
    if (op && /^(delete|terminate|remove|deregister|purge|destroy|disable|revoke|cancel-|schedule-key-deletion)/.test(op)) {
      return [finding(R.cloud, cmd, `aws ${svc} ${op} deletes cloud resources.`, alt)];
    }
    return [];
  }
  const verb = p.slice(0, 5).find((s) => /^(delete|destroy|purge|remove|terminate|rm)$/.test(s));
  if (verb) return [finding(R.cloud, cmd, `${n} ${p.slice(0, p.indexOf(verb) + 2).join(' ')} deletes cloud resources.`, alt)];
  return [];
}

export const infraPack: RulePack = {
  id: 'infra',
  rules: Object.values(R),
  heads: ['terraform', 'tofu', 'terragrunt', 'pulumi', 'kubectl', 'oc', 'helm', 'aws', 'gcloud', 'az', 'docker', 'podman', 'docker-compose', 'eksctl', 'doctl'],
  check(cmd) {
    const n = nameOf(cmd)!;
    if (has(cmd, /^(--help|-h)$/)) return [];
    const p = positionals(cmd);
    if (n === 'terraform' || n === 'tofu' || n === 'terragrunt' || n === 'pulumi') return terraform(cmd, n, p);
    if (n === 'kubectl' || n === 'oc') {
      const sub = p[0];
      if (sub === 'delete' || sub === 'drain' || (sub === 'replace' && has(cmd, /^--force$/))) {
        return [finding(R.k8s, cmd, `${n} ${p.join(' ')} removes live cluster resources.`, 'check with `kubectl get`, then let the user delete')];
      }
      return [];
    }
    if (n === 'helm') {
      if (['uninstall', 'delete', 'del', 'un'].includes(p[0] ?? '')) return [finding(R.k8s, cmd, `helm ${p.join(' ')} removes a release and its resources.`, 'check with `helm status`, then let the user uninstall')];
      return [];
    }
    if (n === 'docker' || n === 'podman' || n === 'docker-compose') return docker(cmd, n, p);
    return cloud(cmd, n, p);
  },
};
