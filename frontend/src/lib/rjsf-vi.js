// Vietnamese for @rjsf/core: the validation messages (transformErrors) and the form's own strings (translateString).
import { englishStringTranslator } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { DocumentAwareArrayField } from "./document-field.jsx";

const STRINGS = {
  Item: "Mục",
  "Missing items definition": "Thiếu định nghĩa các mục",
  "No items yet. Use the button below to add some.": "Chưa có mục nào. Bấm nút bên dưới để thêm.",
  Yes: "Có",
  No: "Không",
  Close: "Đóng",
  Errors: "Lỗi cần sửa",
  "New Value": "Giá trị mới",
  Add: "Thêm",
  "Add Item": "Thêm mục",
  Copy: "Sao chép",
  "Move down": "Chuyển xuống",
  "Move up": "Chuyển lên",
  Remove: "Xóa",
  Now: "Bây giờ",
  Clear: "Xóa",
  "Select a date": "Chọn ngày",
  Preview: "Xem trước",
  "Decrease value by 1": "Giảm 1",
  "Increase value by 1": "Tăng 1",
  Type: "Kiểu",
  Value: "Giá trị",
  "clear input": "xóa nội dung",
  "Option %1": "Lựa chọn %1",
  "%1 option %2": "%1, lựa chọn %2",
  "%1 Key": "Khóa %1",
  "Unsupported field schema.": "Trường không được hỗ trợ.",
  "**%1** (%2, %3 bytes)": "**%1** (%2, %3 byte)",
};

export function translateString(key, params) {
  const vi = STRINGS[key];
  if (!vi) return englishStringTranslator(key, params);
  return (params || []).reduce((s, p, i) => s.replaceAll(`%${i + 1}`, p), vi);
}

const FORMATS = { date: "ngày (dd/mm/yyyy)", "date-time": "ngày giờ", email: "địa chỉ email", uri: "địa chỉ web (URL)", "data-url": "tệp đính kèm" };
const TYPES = { string: "chuỗi ký tự", number: "số", integer: "số nguyên", boolean: "đúng/sai", array: "danh sách", object: "đối tượng", null: "trống" };

function message(error) {
  const p = error.params || {};
  switch (error.name) {
    case "required":
      return "Trường này là bắt buộc.";
    case "minLength":
      return `Phải có ít nhất ${p.limit} ký tự.`;
    case "maxLength":
      return `Không được quá ${p.limit} ký tự.`;
    case "minimum":
      return `Giá trị phải lớn hơn hoặc bằng ${p.limit}.`;
    case "maximum":
      return `Giá trị phải nhỏ hơn hoặc bằng ${p.limit}.`;
    case "exclusiveMinimum":
      return `Giá trị phải lớn hơn ${p.limit}.`;
    case "exclusiveMaximum":
      return `Giá trị phải nhỏ hơn ${p.limit}.`;
    case "minItems":
      return `Cần ít nhất ${p.limit} mục.`;
    case "maxItems":
      return `Không được quá ${p.limit} mục.`;
    case "uniqueItems":
      return "Các mục không được trùng nhau.";
    case "pattern":
      return "Giá trị không đúng định dạng.";
    case "format":
      return `Phải là ${FORMATS[p.format] || "giá trị đúng định dạng"}.`;
    case "type": {
      const types = String(p.type || "").split(",").map((t) => TYPES[t] || t);
      return `Phải là ${types.join(" hoặc ")}.`;
    }
    case "enum":
    case "const":
    case "oneOf":
    case "anyOf":
      return "Vui lòng chọn một giá trị trong danh sách.";
    case "multipleOf":
      return `Phải là bội số của ${p.multipleOf}.`;
    default:
      return "Giá trị không hợp lệ.";
  }
}

/** Drop the summary errors of if/then and oneOf-branch noise; translate the rest. */
export function transformErrors(errors, uiSchema) {
  const seen = new Set();
  const out = [];
  for (const error of errors) {
    if (error.name === "if") continue;
    const msg = message(error);
    const key = `${error.property}|${msg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const title = error.title || (error.params && error.params.missingProperty) || "";
    out.push({ ...error, message: msg, stack: title ? `${title}: ${msg}` : msg });
  }
  return out;
}

/** Messages of the server's 422 details ({field: [messages]}) as a flat list. */
export function serverFieldErrors(details, schema) {
  if (!details || typeof details !== "object") return [];
  const titles = (schema && schema.properties) || {};
  const out = [];
  const walk = (obj, path) => {
    if (Array.isArray(obj)) {
      for (const m of obj) {
        if (typeof m === "string") out.push(`${titles[path[0]]?.title || path.join(".") || "Dữ liệu"}: ${m}`);
        else walk(m, path);
      }
    } else if (obj && typeof obj === "object") {
      for (const [k, v] of Object.entries(obj)) walk(v, [...path, k]);
    } else if (typeof obj === "string") {
      out.push(obj);
    }
  };
  walk(details, []);
  return out;
}

/** What every form of the pages shares: the ajv validator, Vietnamese messages and strings, the error list on top,
 * no browser-native validation, focus on the first error, the file widget for document lists ("x-document").
 * Spread it on ``<Form>``. */
export const VI_FORM_PROPS = {
  validator,
  fields: { ArrayField: DocumentAwareArrayField },
  transformErrors,
  translateString,
  showErrorList: "top",
  noHtml5Validate: true,
  focusOnFirstError: true,
};
