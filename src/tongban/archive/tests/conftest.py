import pytest

from tongban.archive.pdf import Document, Heading, KeyValueTable, Paragraph, render


@pytest.fixture
def agreement() -> bytes:
    return render(Document(
        title="放弃户口迁移协议",
        subtitle="示例大学保卫处",
        blocks=[
            Heading("一、基本信息"),
            KeyValueTable([("姓名", "李同学"), ("学号", "S0000001")]),
            Paragraph("本人自愿放弃将户口迁入学校集体户，由此产生的后果由本人承担。"),
        ],
        footer="编号 FQ-2025-000001 · 验证码 7F3KQ2",
    ))
