"""Vietnamese wording: element labels, code-site labels and the tables translating English parser messages."""

from __future__ import annotations

import re

from .model import B, CodeMode, S

# The Vietnamese word for each BPMN/DMN element, as ``describe`` names it in a message.
LABELS = {
    "userTask": "bước",
    "manualTask": "bước",
    "task": "bước",
    "scriptTask": "bước tự động",
    "serviceTask": "bước dịch vụ",
    "businessRuleTask": "bước áp dụng quy tắc",
    "sendTask": "bước gửi",
    "receiveTask": "bước nhận",
    "callActivity": "bước gọi quy trình",
    "subProcess": "quy trình con",
    "transaction": "giao dịch",
    "adHocSubProcess": "quy trình con tự do",
    "exclusiveGateway": "cổng rẽ nhánh",
    "inclusiveGateway": "cổng rẽ nhánh",
    "parallelGateway": "cổng song song",
    "eventBasedGateway": "cổng sự kiện",
    "complexGateway": "cổng phức hợp",
    "sequenceFlow": "luồng",
    "startEvent": "sự kiện bắt đầu",
    "endEvent": "sự kiện kết thúc",
    "boundaryEvent": "sự kiện biên",
    "intermediateCatchEvent": "sự kiện trung gian",
    "intermediateThrowEvent": "sự kiện trung gian",
    "lane": "làn",
    "process": "quy trình",
    "participant": "bể",
    "dataStore": "kho dữ liệu",
    "decision": "quyết định",
    "decisionTable": "bảng quyết định",
    "rule": "quy tắc",
    "inputEntry": "ô điều kiện",
    "outputEntry": "ô kết quả",
    "input": "cột đầu vào",
    "output": "cột đầu ra",
}

# Elements holding Python code: (tag, compile mode, Vietnamese label). Timers are checked apart.
CODE_SITES: tuple[tuple[str, CodeMode, str], ...] = (
    (f"{B}script", "exec", "Mã kịch bản"),
    (f"{S}preScript", "exec", "Mã chạy trước (preScript)"),
    (f"{S}postScript", "exec", "Mã chạy sau (postScript)"),
    (f"{B}conditionExpression", "eval", "Điều kiện"),
    (f"{B}condition", "eval", "Điều kiện của sự kiện"),
    (f"{B}loopCondition", "eval", "Điều kiện lặp (loopCondition)"),
    (f"{B}loopCardinality", "eval", "Số lần lặp (loopCardinality)"),
    (f"{B}completionCondition", "eval", "Điều kiện hoàn thành (completionCondition)"),
)

XML_MESSAGES = (
    (
        r"Opening and ending tag mismatch: (?P<a>\S+) line (?P<n>\d+) and (?P<b>\S+)",
        "thẻ mở <{a}> (dòng {n}) và thẻ đóng </{b}> không khớp",
    ),
    (
        r"Premature end of data in tag (?P<a>\S+) line (?P<n>\d+)",
        "tệp kết thúc khi thẻ <{a}> (dòng {n}) chưa được đóng",
    ),
    (r"Document is empty|Start tag expected", "tệp rỗng hoặc không bắt đầu bằng một thẻ XML"),
    (r"EntityRef: expecting ';'|xmlParseEntityRef: no name", 'ký tự "&" trong văn bản phải viết là "&amp;"'),
    (r"StartTag: invalid element name", 'tên thẻ không hợp lệ (ký tự "<" trong văn bản phải viết là "&lt;")'),
    (r"Extra content at the end of the document", "có nội dung thừa sau phần tử gốc"),
    (r"Couldn't find end of Start Tag (?P<a>\S+)", 'thẻ mở <{a}> chưa được đóng bằng ">"'),
    (r"Attribute (?P<a>\S+) redefined", 'thuộc tính "{a}" bị khai báo hai lần'),
    (
        r"Namespace prefix (?P<a>\S+) on (?P<b>\S+) is not defined",
        'tiền tố không gian tên "{a}" của thẻ <{b}> chưa được khai báo',
    ),
    (r"AttValue: \" or ' expected", "giá trị thuộc tính phải đặt trong dấu nháy"),
)

XSD_MESSAGES = (
    (
        r"This element is not expected\. Expected is (?:one of )?\( ?(?P<a>.*?) ?\)\.",
        "phần tử không được phép ở vị trí này (được phép: {a})",
    ),
    (r"This element is not expected\.", "phần tử không được phép ở vị trí này"),
    (r"The attribute '(?P<a>[^']+)' is not allowed\.", 'không được phép có thuộc tính "{a}"'),
    (r"The attribute '(?P<a>[^']+)' is required but missing\.", 'thiếu thuộc tính bắt buộc "{a}"'),
    (r"'(?P<a>.*)' is not a valid value of the \w+ type '(?P<b>[^']+)'\.", 'giá trị "{a}" không hợp lệ (kiểu {b})'),
    (
        r"Missing child element\(s\)\. Expected is (?:one of )?\( ?(?P<a>.*?) ?\)\.",
        "thiếu phần tử con bắt buộc (cần: {a})",
    ),
    (r"Character content other than whitespace is not allowed", "không được chứa văn bản"),
    (r"No matching global declaration available for the validation root", "phần tử gốc không đúng loại tệp"),
)

PYTHON_MESSAGES = (
    (r"^invalid syntax\. Perhaps you forgot a comma", "cú pháp không hợp lệ, có thể thiếu dấu phẩy"),
    (r"^invalid syntax", "cú pháp không hợp lệ"),
    (r"^unexpected indent", "thụt lề thừa (biểu thức và dòng đầu của mã không được thụt lề)"),
    (r"^expected an indented block", "thiếu thụt lề sau dòng kết thúc bằng dấu hai chấm"),
    (r"^unindent does not match", "thụt lề không khớp với các dòng phía trên"),
    (r"^'(?P<a>.)' was never closed", "dấu {a} chưa được đóng"),
    (r"^unmatched '(?P<a>.)'", "dấu {a} không có dấu mở tương ứng"),
    (
        r"^closing parenthesis '(?P<a>.)' does not match opening parenthesis '(?P<b>.)'",
        "dấu {a} không khớp với dấu {b}",
    ),
    (r"^unterminated (?:triple-quoted )?string literal", "chuỗi chưa có dấu nháy đóng"),
    (r"^invalid decimal literal", "số viết không hợp lệ"),
    (r"^leading zeros in decimal integer literals", "số nguyên không được bắt đầu bằng chữ số 0"),
    (r"^expected ':'", "thiếu dấu hai chấm"),
    (r"^cannot assign to", "không thể gán giá trị cho vế trái này"),
    (r"^'return' outside function", "lệnh return nằm ngoài hàm"),
    (r"^unexpected EOF while parsing", "mã kết thúc đột ngột"),
)

ISO_EXAMPLES = {
    "timeDuration": "khoảng thời gian ISO 8601, ví dụ 'P5D' hoặc 'PT4H'",
    "timeDate": "thời điểm ISO 8601 có múi giờ, ví dụ '2025-12-31T17:00:00+07:00'",
    "timeCycle": "chu kỳ ISO 8601, ví dụ 'R3/P1D'",
}

# SpiffWorkflow's message pattern, our problem code, the Vietnamese template, and the (tag, attribute)
# that finds the element when the message names none or the wrong one.
SPIFF_MESSAGES: tuple[tuple[str, str, str, tuple[str, str] | None], ...] = (
    (
        r"Non-default exclusive outgoing sequence flow without condition",
        "gateway_flow_without_condition",
        "{subject} ra từ cổng rẽ nhánh không có điều kiện và cũng không phải luồng mặc định",
        None,
    ),
    (
        r'No DMN Diagram available with id "(?P<ref>[^"]*)"',
        "decision_missing",
        '{subject} gọi bảng quyết định "{ref}" nhưng không tệp DMN nào chứa bảng này',
        None,
    ),
    (
        r"Data Store with name (?P<ref>.*) has no implementation",
        "parse_error",
        '{subject} chưa được hỗ trợ: máy chạy quy trình không có kho dữ liệu "{ref}"',
        ("dataStore", "name"),
    ),
    (
        r"The process '(?P<ref>[^']*)' was not found",
        "called_process_missing",
        '{subject} gọi quy trình "{ref}" nhưng quy trình này không có trong sơ đồ',
        ("callActivity", "calledElement"),
    ),
    (
        r'No "calledElement" attribute',
        "called_process_missing",
        "{subject} chưa chỉ định quy trình được gọi (calledElement)",
        None,
    ),
    (
        r"Process (?P<ref>.*) is not executable",
        "called_process_missing",
        '{subject} gọi quy trình "{ref}" nhưng quy trình này không được đánh dấu thực thi được (isExecutable="true")',
        ("callActivity", "calledElement"),
    ),
    (r"No start event found", "parse_error", "{subject} không có sự kiện bắt đầu", None),
    (
        r"Exactly one start event is required in a SubWorkflow Task; found (?P<ref>\d+)",
        "parse_error",
        "{subject} phải có đúng một sự kiện bắt đầu (hiện có {ref})",
        None,
    ),
    (r"A SubWorkflow Must contain an End event", "parse_error", "{subject} phải có ít nhất một sự kiện kết thúc", None),
    (
        r"Multiple outgoing flows are not supported",
        "parse_error",
        "{subject} có nhiều luồng ra; hãy tách nhánh bằng một cổng song song hoặc cổng rẽ nhánh",
        None,
    ),
    (
        r"There is no support implemented for this task type",
        "parse_error",
        "{subject}: loại phần tử này chưa được hỗ trợ",
        None,
    ),
    (
        r"A Service Task must have an operator",
        "parse_error",
        "{subject} chưa khai báo dịch vụ được gọi (spiffworkflow:serviceTaskOperator)",
        None,
    ),
    (
        r"must specify a cardinality or a loop input",
        "parse_error",
        "{subject} lặp nhiều phiên bản nhưng "
        "chưa có số lần lặp (loopCardinality) hoặc tập dữ liệu đầu vào (loopDataInputRef)",
        None,
    ),
    (
        r"must specify exactly one of cardinality",
        "parse_error",
        "{subject} chỉ được khai báo một trong hai: "
        "số lần lặp (loopCardinality) hoặc tập dữ liệu đầu vào (loopDataInputRef)",
        None,
    ),
    (
        r"loop (?:input|output) data reference is missing",
        "parse_error",
        "{subject} tham chiếu tới dữ liệu lặp không có trong ioSpecification",
        None,
    ),
    (
        r"A loopMaximum or loopCondition must be specified",
        "parse_error",
        "{subject} lặp nhưng chưa có số lần tối đa (loopMaximum) hoặc điều kiện lặp (loopCondition)",
        None,
    ),
    (
        r"Cannot resolve data(?:Input|Output)Association",
        "parse_error",
        "{subject} liên kết tới một đối tượng dữ liệu hoặc kho dữ liệu không xác định được",
        None,
    ),
    (r"Duplicate process ID: (?P<ref>.*)", "parse_error", 'Mã quy trình "{ref}" bị trùng', None),
    (
        r"Cancel Events may only be used with transactions",
        "parse_error",
        "{subject}: sự kiện hủy chỉ dùng được trên giao dịch (transaction)",
        None,
    ),
    (
        r"Conditional event definition with missing condition",
        "parse_error",
        "{subject} là sự kiện có điều kiện nhưng thiếu biểu thức điều kiện",
        None,
    ),
    (r"Invalid Script Task", "script_syntax", "{subject} chưa có mã kịch bản", None),
    (r"Unsupported Catch Event", "parse_error", "{subject}: loại sự kiện biên này chưa được hỗ trợ", None),
    (
        r"Time Specification Error|Unknown Time Specification",
        "timer_expression_invalid",
        "{subject} có định nghĩa hẹn giờ thiếu biểu thức thời gian",
        None,
    ),
    (
        r"perhaps a form has the same ID\? \((?P<ref>.*)\)",
        "parse_error",
        '{subject} có luồng ra tới phần tử "{ref}" không tồn tại',
        None,
    ),
    (
        r"Expected an? \w+ node|raise_validation_exception\(\) got an unexpected keyword|messageRef",
        "parse_error",
        "{subject} tham chiếu tới một thông điệp, tín hiệu, lỗi hoặc leo thang không được khai báo",
        None,
    ),
    (
        r"(?P<ref>Message|Signal|Error|Escalation|Correlation|Data Store) identifier is missing",
        "parse_error",
        "Sơ đồ có phần tử {ref} thiếu thuộc tính id",
        None,
    ),
    (
        r"Malformed Output Expression '(?P<ref>.*)'\.",
        "parse_error",
        '{subject} có biểu thức kết quả "{ref}" không phải biểu thức Python hợp lệ',
        None,
    ),
    (
        r"Unknown type in decision table",
        "parse_error",
        "{subject}: bảng quyết định chứa phần tử không được hỗ trợ",
        None,
    ),
    (
        r"KeyError\('(?P<ref>name|value)'\)",
        "parse_error",
        '{subject} có thuộc tính mở rộng (spiffworkflow:property) thiếu "{ref}"',
        None,
    ),
    (
        r"Ad hoc subprocesses may not contain start or end events",
        "parse_error",
        "{subject} là quy trình con tự do nên không được có sự kiện bắt đầu hoặc kết thúc",
        None,
    ),
    (
        r"Sequential ordering for ad hoc subprocesses not supported",
        "parse_error",
        "{subject}: quy trình con tự do chưa hỗ trợ thứ tự tuần tự",
        None,
    ),
)


def translate(raw: str, table: tuple[tuple[str, str], ...]) -> str | None:
    """Vietnamese text for a known English message, or None."""
    for pattern, template in table:
        match = re.search(pattern, raw, re.S)
        if match:
            return template.format(**match.groupdict())
    return None
