/**
 * svc: destructive operations on hosted services and data tools (secret managers, backups, queues, CI, GitHub,
 * object sync) and HTTP DELETE requests. One table of tools and the verbs that delete; list/get/describe pass.
 */
import type { Command, Finding, RulePack } from '../../ir/types.js';
import { args, finding, nameOf, rule, str } from '../util.js';
import { positionals } from './infra.js';

const R = {
  del: rule('svc.destructive-subcommand', 'high', 'ask', 'A service CLI deletes, purges or revokes remote data (vault, op, doppler, rclone, restic, borg, velero, kafka, nats, gh …).', 'gh repo delete owner/repo'),
  http: rule('svc.http-delete', 'high', 'ask', 'An HTTP request that deletes remote data (curl -X DELETE, _delete_by_query, doDelete).', "curl -X DELETE 'http://localhost:9200/logs'"),
};

const TOOLS = ['vault', 'op', 'doppler', 'rclone', 'restic', 'borg', 'velero', 'nats', 'rabbitmqctl', 'rabbitmqadmin', 'circleci', 'gh',
  'glab', 'heroku', 'fly', 'flyctl', 'vercel', 'netlify', 'firebase', 'supabase', 'gsutil', 's3cmd', 'mc', 'hcloud', 'linode-cli',
  'openstack', 'consul', 'nomad', 'etcdctl', 'kafka-topics', 'kafka-consumer-groups', 'kafka-delete-records', 'kafka-acls',
  'kafka-topics.sh', 'kafka-consumer-groups.sh', 'kafka-delete-records.sh', 'java', 'npm', 'wrangler', 'railway', 'render'];
const VERB = /^(delete|del|rm|remove|destroy|purge|terminate|drop|disable|revoke|forget|rb|rdelete|repo-delete|deletefile|delete[-_:][a-z-_]+|remove[-_][a-z-_]+|unpublish|apps:destroy|destroy[-_:][a-z-_]+|flushall|flushdb|wipe|nuke|erase|delete-job|delete-node|delete-view|prune|rmdir|rmr|deleteall)$/i;
const HTTP_DELETE_PATH = /\/(doDelete|_delete_by_query|doWipeOutWorkspace)\b/;

function httpDelete(cmd: Command, n: string): Finding[] {
  const a = args(cmd).map(str);
  let method = '';
  for (let i = 0; i < a.length; i++) {
    const s = a[i]!;
    if (s === '-X' || s === '--request' || s === '--method' || (n === 'gh' && s === '-X')) method = a[i + 1] ?? '';
    else if (/^-X[A-Z]+$/.test(s)) method = s.slice(2);
    else if (/^--(request|method)=/.test(s)) method = s.split('=')[1] ?? '';
  }
  if (n === 'http' || n === 'https' || n === 'xh') method = a.find((s) => /^[A-Z]+$/.test(s)) ?? method;
  const url = a.find((s) => /^(https?:)?\/\//.test(s) || s.startsWith('/')) ?? '';
  if (method.toUpperCase() === 'DELETE') return [finding(R.http, cmd, `HTTP DELETE ${url} deletes remote data.`, 'check the resource with GET first and let the user delete it')];
  if (HTTP_DELETE_PATH.test(url)) return [finding(R.http, cmd, `The request to ${url} deletes remote data.`, 'check the resource with GET first and let the user delete it')];
  return [];
}

export const svcPack: RulePack = {
  id: 'svc',
  rules: Object.values(R),
  heads: [...TOOLS, 'curl', 'wget', 'http', 'https', 'xh'],
  check(cmd) {
    const n = nameOf(cmd)!;
    const a = args(cmd).map(str);
    if (a.includes('--help') || a.includes('-h')) return [];
    if (n === 'curl' || n === 'wget' || n === 'http' || n === 'https' || n === 'xh') return httpDelete(cmd, n);
    const out: Finding[] = n === 'gh' ? httpDelete(cmd, n) : [];
    let p = positionals(cmd);
    if (n === 'java') {
      const jar = a.indexOf('-jar');
      if (jar < 0 || !/jenkins-cli/.test(a[jar + 1] ?? '')) return [];
      p = p.filter((s) => !/jenkins-cli|^https?:/.test(s));
    }
    if (n === 'npm' && p[0] !== 'unpublish') return out;
    if (/^kafka-delete-records/.test(n)) return [finding(R.del, cmd, `${n} deletes records from Kafka topics.`, 'let the user run it after checking offsets')];
    if (/^kafka-/.test(n)) {
      if (a.includes('--delete')) out.push(finding(R.del, cmd, `${n} --delete removes ${a[a.indexOf('--topic') + 1] ?? a[a.indexOf('--group') + 1] ?? 'data'} from Kafka.`, 'let the user delete it after checking'));
      return out;
    }
    if (n === 'rclone' && (p[0] === 'sync' || p[0] === 'move') && !a.some((s) => s === '--dry-run' || s === '-n' || s === '--interactive' || s === '-i')) {
      if (p[0] === 'sync') out.push(finding(R.del, cmd, `rclone sync ${p.slice(1).join(' ')} deletes files at the destination that are not in the source.`, 'run it with --dry-run first, or use `rclone copy`'));
      return out;
    }
    if ((n === 'restic' || n === 'borg') && (p[0] === 'prune' || p[0] === 'compact')) return out; // retention maintenance
    if (n === 'vault' && p[0] === 'lease' && p[1] === 'revoke' || n === 'vault' && p[0] === 'token' && p[1] === 'revoke') {
      out.push(finding(R.del, cmd, `vault ${p.slice(0, 3).join(' ')} revokes live credentials.`, 'revoke specific leases after checking with `vault lease lookup`'));
      return out;
    }
    const verb = p.slice(0, 3).find((s) => VERB.test(s));
    if (verb) out.push(finding(R.del, cmd, `${n} ${p.slice(0, p.indexOf(verb) + 2).join(' ')} deletes remote data or configuration.`, `check it with the tool's list/get command and let the user run the deletion`));
    return out;
  },
};
