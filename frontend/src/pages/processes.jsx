// Quản trị quy trình: definitions and versions, the modeler (lib/modeler-view.jsx: bpmn-js with its properties
// panel, Kiểm tra, Chạy kịch bản, Triển khai, a local draft), the version history with a visual diff of two versions
// (lib/diff-view.jsx), Chuyển phiên bản (lib/migration.jsx) and the running instances per version. The modeler and
// the diff load on demand (bpmn-js is most of this page's code), and leaving with unsaved changes asks first
// (lib/leave-guard.jsx).
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/assets/properties-panel.css";
import "../lib/bpmn-markers.css";
import "../styles/modeler.css";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, query } from "../lib/api.js";
import { fmtDateTime } from "../lib/format.js";
import { useApi } from "../lib/hooks.js";
import { useLeaveGuard } from "../lib/leave-guard.jsx";
import { totalText, usePage } from "../lib/lists.jsx";
import { MigrationView } from "../lib/migration.jsx";
import { ErrorBox, Loading, mount } from "../lib/ui.jsx";

const ModelerView = lazy(() => import("../lib/modeler-view.jsx"));
const DiffView = lazy(() => import("../lib/diff-view.jsx"));
const LEAVE = {
  title: "Sơ đồ có thay đổi chưa triển khai",
  message:
    "Nếu rời đi, các thay đổi sẽ không còn trên trình vẽ. Bản nháp vẫn được lưu trên máy này và sẽ được đề nghị " +
    "mở lại khi bạn quay lại quy trình này.",
};

/** "2 đang chạy / 5 hồ sơ" of one version, from the lists' X-Total-Count ("hơn 10.000" beyond the count limit). */
function VersionCount({ processKey, version }) {
  const base = { process_key: processKey, version, limit: 1 };
  const open = usePage(`process-instances${query({ ...base, status: "open" })}`);
  const all = usePage(`process-instances${query(base)}`);
  return (
    <a href={`/instances?process_key=${processKey}&version=${version}`}>
      {totalText(open)} đang chạy / {totalText(all)} hồ sơ
    </a>
  );
}

function Processes({ user }) {
  const params = new URLSearchParams(window.location.search);
  const definitions = useApi("process-definitions");
  const [key, setKey] = useState(params.get("key") || "");
  const [version, setVersion] = useState(params.get("version") || "");
  const versions = useApi(key ? `process-definitions/${key}/versions` : null);
  const [countsTick, setCountsTick] = useState(0);
  const [files, setFiles] = useState(null);
  const [dirty, setDirty] = useState(false);
  const { guard, dialog } = useLeaveGuard(dirty, LEAVE);
  const onDirtyChange = useCallback((value) => setDirty(value), []);

  useEffect(() => {
    if (!key && definitions.data && definitions.data.length) setKey(definitions.data[0].key);
  }, [definitions.data, key]);
  // a version the list does not have (none chosen, or a stale address) falls back to the newest — but not the
  // version just deployed while the list that has it is still on its way (it would slide back to the one before)
  const deployed = useRef(null);
  useEffect(() => {
    if (versions.loading || !versions.data || !versions.data.length) return;
    const listed = versions.data.some((v) => String(v.version) === String(version));
    if (deployed.current === String(version)) {
      if (listed) deployed.current = null;
      return;
    }
    if (!listed) setVersion(String(versions.data[0].version));
  }, [versions.data, versions.loading, version]);
  useEffect(() => {
    if (!key || !version) return;
    setFiles(null);
    api(`process-definitions/${key}/versions/${version}/files`).then((r) => setFiles(r.files), () => setFiles({}));
    const url = new URL(window.location.href);
    url.searchParams.set("key", key);
    url.searchParams.set("version", version);
    window.history.replaceState(null, "", url);
  }, [key, version]);

  const definition = useMemo(() => (definitions.data || []).find((d) => d.key === key), [definitions.data, key]);
  const versionInfo = useMemo(() => (versions.data || []).find((v) => String(v.version) === String(version)), [versions.data, version]);

  const onDeployed = (result) => {
    definitions.reload();
    versions.reload();
    setCountsTick((t) => t + 1);
    if (result.created) {
      deployed.current = String(result.version);
      setVersion(String(result.version));
    }
  };

  if (definitions.error) return <ErrorBox error={definitions.error} />;
  if (!definitions.data) return <Loading what="danh sách quy trình" />;
  return (
    <>
      <section className="card" aria-labelledby="defs-title">
        <h2 id="defs-title">Quy trình đã triển khai</h2>
        <ul className="process-list">
          {definitions.data.map((d) => (
            <li key={d.key}>
              <button type="button" className="btn" aria-pressed={d.key === key} onClick={() => d.key !== key && guard(() => (setKey(d.key), setVersion("")))}>
                {d.name || d.key} <span className="muted">(v{d.version})</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {key && (
        <>
          <section className="card" aria-labelledby="versions-title">
            <h2 id="versions-title">Phiên bản</h2>
            {!versions.data ? (
              <Loading what="phiên bản" />
            ) : (
              <div className="table-wrap">
                <table data-testid="versions">
                  <caption className="sr-only">Các phiên bản của quy trình và hồ sơ đang chạy</caption>
                  <thead>
                    <tr>
                      <th scope="col">Phiên bản</th>
                      <th scope="col">Triển khai</th>
                      <th scope="col">Hồ sơ đang chạy</th>
                      <th scope="col">Thao tác</th>
                    </tr>
                  </thead>
                  <tbody>
                    {versions.data.map((v) => (
                      <tr key={v.version} data-version={v.version}>
                        <td>{v.version}</td>
                        <td>
                          {fmtDateTime(v.deployed_at)}
                          {v.deployed_by ? ` · ${v.deployed_by}` : ""}
                        </td>
                        <td>
                          <VersionCount key={`${v.version}-${countsTick}`} processKey={key} version={v.version} />
                        </td>
                        <td>
                          <button type="button" className="btn" aria-pressed={String(v.version) === String(version)} onClick={() => String(v.version) !== String(version) && guard(() => setVersion(String(v.version)))}>
                            Mở trong trình vẽ
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
      {key && version && (
        <div className="card">
          <Suspense fallback={<Loading what="trình vẽ sơ đồ" />}>
            <ModelerView
              definition={definition}
              version={version}
              versionInfo={versionInfo}
              files={files}
              user={user && user.username}
              onDeployed={onDeployed}
              onDirtyChange={onDirtyChange}
            />
          </Suspense>
        </div>
      )}
      {key && definition && versions.data && (
        <section className="card">
          <Suspense fallback={<Loading what="phần so sánh phiên bản" />}>
            <DiffView definition={definition} versions={versions.data} />
          </Suspense>
        </section>
      )}
      {key && definition && versions.data && versions.data.length >= 2 && (
        <section className="card">
          <MigrationView definition={definition} versions={versions.data} onMigrated={() => setCountsTick((t) => t + 1)} />
        </section>
      )}
      {dialog}
    </>
  );
}

mount(Processes);
