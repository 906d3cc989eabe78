"""The API's refusals by status, where no service named the reason."""

STATUS_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found", 405: "not_allowed",
                409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many"}
MESSAGES = {400: "请求格式不正确", 401: "请先登录。", 403: "没有权限", 404: "未找到，或不是您的", 405: "不支持该方法",
            413: "请求过大", 429: "请求过于频繁，请稍后再试"}
CSRF_MESSAGE = ("缺少或错误的 CSRF 令牌：请把 csrftoken Cookie 的值（或 /api/v1/me 给出的 csrf_token）"
                "放在 X-CSRFToken 请求头中")
