import { api } from '../api.js';
import { ErrorBox, Loading, Pill } from '../components/common.js';
import { useData } from '../hooks.js';
import { href, navigate } from '../router.js';

export function DomainsPage() {
  const list = useData(() => api.domains(), []);
  if (list.error) return <ErrorBox message={list.error} />;
  if (!list.data) return <Loading />;
  return (
    <div class="page">
      <div class="page-head">
        <h1>Domains</h1>
        <span class="muted">{list.data.domains.length} domains (add folders with --domains)</span>
      </div>
      <table class="grid rows" data-testid="domains">
        <thead>
          <tr>
            <th>domain</th>
            <th>description</th>
            <th class="num">tables</th>
            <th class="num">tools</th>
            <th class="num">tasks</th>
            <th>verification</th>
            <th>folder</th>
          </tr>
        </thead>
        <tbody>
          {list.data.domains.map((d) => (
            <tr onClick={() => navigate(href(['domains', d.name]))} data-domain={d.name}>
              <td>
                <a href={href(['domains', d.name])}>{d.name}</a>
              </td>
              <td class="clip">{d.problem ? <span class="bad">{d.problem}</span> : d.description}</td>
              <td class="num">{d.tables}</td>
              <td class="num">{d.tools}</td>
              <td class="num">{d.tasks}</td>
              <td>
                {d.verified ? (
                  <>
                    <Pill kind="pass">{d.verified.ok} verified</Pill> {d.verified.failed > 0 && <Pill kind="fail">{d.verified.failed} dropped</Pill>}
                  </>
                ) : (
                  <span class="muted">hand-written</span>
                )}
              </td>
              <td class="muted mono clip">{d.dir}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
