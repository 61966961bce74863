// Approve / return (trả lại) buttons for forms that carry a decision: either a "decision" choice with a
// "return" option and a return_reason text, or an "approved" boolean with a "reason" text.

export function decisionModel(schema) {
  const props = (schema && schema.properties) || {};
  const decision = props.decision;
  const options = decision && (decision.oneOf || (decision.enum || []).map((v) => ({ const: v, title: v })));
  if (options && options.some((o) => o.const === "return")) {
    const approve = options.find((o) => o.const !== "return");
    const reasonField = props.return_reason ? "return_reason" : props.reason ? "reason" : null;
    if (approve && reasonField) {
      return {
        approve: { decision: approve.const },
        approveLabel: approve.title || "Phê duyệt",
        giveBack: (reason) => ({ decision: "return", [reasonField]: reason }),
        reasonField,
        reasonMin: props[reasonField].minLength || 1,
      };
    }
  }
  if (props.approved && props.approved.type === "boolean" && props.reason) {
    return {
      approve: { approved: true },
      approveLabel: "Phê duyệt",
      giveBack: (reason) => ({ approved: false, reason }),
      reasonField: "reason",
      reasonMin: 5,
    };
  }
  return null;
}
