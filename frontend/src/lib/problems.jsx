// The validator's answer on the modeler page: problems (the diagram is refused) and warnings (it deploys).

/** One line per problem or warning: the element (a button that shows it on the diagram) or the file, the line. */
function Items({ items, onShow }) {
  return items.map((p, i) => (
    <li key={i}>
      {p.element_id ? (
        <button type="button" className="btn-link" onClick={() => onShow(p.element_id)}>
          {p.element_id}
        </button>
      ) : (
        <strong>{p.file || "Sơ đồ"}</strong>
      )}
      {p.line ? ` (dòng ${p.line})` : ""}: {p.message}
    </li>
  ));
}

export function ProblemList({ problems, onShow }) {
  return (
    <ul className="problems" data-testid="problems">
      <Items items={problems} onShow={onShow} />
    </ul>
  );
}

/** Warnings: worth fixing, but they do not stop a deploy. */
export function WarningList({ warnings, onShow }) {
  return (
    <div className="alert alert-warn" data-testid="warnings" role="note">
      <strong>Cảnh báo ({warnings.length}) — sơ đồ vẫn triển khai được:</strong>
      <ul>
        <Items items={warnings} onShow={onShow} />
      </ul>
    </div>
  );
}
