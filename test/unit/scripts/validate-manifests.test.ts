import { manifestProblems } from '../../../scripts/validate-manifests';

const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mailer-production\n';
const service = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: send-mail
spec:
  template:
    spec:
      containers:
        - image: mailer-functions
`;

describe('manifestProblems', () => {
  it('when the stream is a Namespace and a valid Knative Service, then there is no problem', () => {
    expect(manifestProblems(`${namespace}---\n${service}`)).toEqual([]);
  });

  it.each([
    {
      name: "make's echo of its command before the YAML",
      text: `kubectl kustomize knative/overlays/production > x.yaml\n${namespace}`,
    },
    { name: 'a stray key line before the YAML', text: `make: done\n${namespace}` },
    { name: 'a misspelt field of a Knative Service', text: service.replace('containers:', 'contianers:') },
    { name: 'a kind with no schema', text: 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n' },
    { name: 'a document that is no object', text: 'just a line\n' },
    { name: 'nothing at all', text: '' },
  ])('when the stream holds $name, then it has problems', ({ text }) => {
    expect(manifestProblems(text).length).toBeGreaterThan(0);
  });
});
