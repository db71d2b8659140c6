#!/usr/bin/env node
// Regenerates test/fixtures/github-openapi.subset.json: the part of GitHub's official OpenAPI description
// (@octokit/openapi, MIT, generated from github/rest-api-description) that the fake GitHub answers for —
// each operation's success schema and first example, plus the $ref closure of component schemas.
// Run by hand when bumping Octokit, with the package unpacked OUTSIDE the repository (it is 385 MB installed):
//   cd /tmp && npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
//   node tools/github-openapi-subset.mjs /tmp/package/generated/api.github.com.json
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OPERATIONS = [
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}', '200'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', '200'],
  ['get', '/repos/{owner}/{repo}/collaborators/{username}/permission', '200'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/status', '200'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/check-runs', '200'],
  ['get', '/repos/{owner}/{repo}/branches/{branch}', '200'],
  ['get', '/repos/{owner}/{repo}/branches/{branch}/protection', '200'],
  ['get', '/repos/{owner}/{repo}/rules/branches/{branch}', '200'],
  ['get', '/orgs/{org}/teams/{team_slug}/memberships/{username}', '200'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}', '200'],
];
// Error bodies the fake sends (404, 403, 401, 422, 429) are GitHub's `basic-error`.
const EXTRA_SCHEMAS = ['basic-error'];

const source = process.argv[2];
if (!source) {
  console.error('usage: node tools/github-openapi-subset.mjs PATH/TO/api.github.com.json');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(source, 'utf8'));
const keep = new Set();
const visit = (node) => {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
      const name = value.split('/').pop();
      if (!keep.has(name)) {
        keep.add(name);
        visit(spec.components.schemas[name]);
      }
    } else visit(value);
  }
};
const operations = {};
for (const [method, path, status] of OPERATIONS) {
  const operation = spec.paths[path]?.[method];
  const content = operation?.responses?.[status]?.content?.['application/json'];
  if (!content) throw new Error(`${method} ${path} ${status}: not in the description`);
  const first = Object.values(content.examples ?? {})[0];
  const example = first?.$ref ? spec.components.examples[first.$ref.split('/').pop()].value : first?.value;
  operations[`${method.toUpperCase()} ${path}`] = { operationId: operation.operationId, status: Number(status), schema: content.schema, example };
  visit(content.schema);
}
for (const name of EXTRA_SCHEMAS) {
  keep.add(name);
  visit(spec.components.schemas[name]);
}
const stripExamples = (node) => {
  if (Array.isArray(node)) return node.map(stripExamples);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'example' && k !== 'examples').map(([k, v]) => [k, stripExamples(v)]));
};
const schemas = Object.fromEntries([...keep].sort().map((name) => [name, stripExamples(spec.components.schemas[name])]));
const subset = {
  source: `${spec.info.title} ${spec.info.version} (OpenAPI ${spec.openapi}), from @octokit/openapi; ${spec.info.license?.name ?? 'MIT'} licence, see ${spec.info.license?.url ?? 'https://github.com/github/rest-api-description'}`,
  generatedBy: 'tools/github-openapi-subset.mjs',
  operations,
  schemas,
};
const out = fileURLToPath(new URL('../test/fixtures/github-openapi.subset.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(subset, null, 1)}\n`);
console.log(`${Object.keys(operations).length} operations, ${keep.size} schemas → ${out}`);
