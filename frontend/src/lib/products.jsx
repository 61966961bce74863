// Sản phẩm of a plan activity (GET /plans/{id}/activities/{aid} → occurrences[].products, .hidden_products): per
// occurrence (unit, period) the documents its steps produced — for a plan's issuance "Số 12/KH-UBND ngày 10/01/2024"
// — each with "Xem" / "Tải xuống", and "n tài liệu không có quyền xem" for those the user may not see.
import { DocumentList } from "./documents.jsx";
import { fmtDate } from "./format.js";
import { useApi } from "./hooks.js";
import { ErrorBox, Loading } from "./ui.jsx";

/** "Số 12/KH-UBND ngày 10/01/2024", or the part of it the product has. */
export function issuedLine(product) {
  const number = product.number ? `Số ${product.number}` : "";
  const date = product.issued_date ? `ngày ${fmtDate(product.issued_date)}` : "";
  return [number, date].filter(Boolean).join(" ");
}

function ProductDetail({ product }) {
  const issued = issuedLine(product);
  const where = product.step && product.field ? `${product.step} (${product.field})` : product.step || product.field || "";
  const made = [where, product.completed_at ? `hoàn thành ${fmtDate(product.completed_at)}` : ""].filter(Boolean).join(", ");
  if (!issued && !made) return null;
  return (
    <div className="doc-detail">
      {issued && (
        <strong className="product-issued" data-testid="product-issued">
          {issued}
        </strong>
      )}
      {issued && made ? " · " : ""}
      {made}
    </div>
  );
}

function occurrenceTitle(o) {
  const unit = (o.unit && (o.unit.name || o.unit.code)) || "";
  const period = o.label || o.period || "";
  return [unit, period].filter(Boolean).join(" — ") || `Lượt thực hiện ${o.id}`;
}

/** The products of one activity, loaded when shown. */
export function ActivityProducts({ planId, activityId }) {
  const detail = useApi(`plans/${planId}/activities/${activityId}`);
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <Loading what="sản phẩm" />;
  const occurrences = detail.data.occurrences || [];
  const withProducts = occurrences.filter((o) => (o.products || []).length || o.hidden_products);
  const without = occurrences.length - withProducts.length;
  return (
    <div className="products" data-testid="activity-products" data-activity-id={activityId}>
      {withProducts.length === 0 && <p className="muted">Chưa có sản phẩm nào được nộp.</p>}
      {withProducts.map((o) => (
        <section key={o.id} className="occurrence-products" data-testid="occurrence-products">
          <h4>
            {occurrenceTitle(o)}
            {o.instance_id ? (
              <>
                {" "}
                <a className="muted" href={`/instances/${o.instance_id}`}>
                  (hồ sơ)
                </a>
              </>
            ) : null}
          </h4>
          <DocumentList documents={o.products || []} extra={(p) => <ProductDetail product={p} />} />
          {o.hidden_products > 0 && (
            <p className="muted hidden-products" data-testid="hidden-products">
              {o.hidden_products} tài liệu không có quyền xem
            </p>
          )}
        </section>
      ))}
      {withProducts.length > 0 && without > 0 && <p className="muted">{without} lượt thực hiện khác chưa có sản phẩm.</p>}
    </div>
  );
}
