from django.urls import path

from tongban.hukou import views

app_name = "hukou"
urlpatterns = [
    path("hukou/", views.mine, name="mine"),
    path("hukou/waiver/", views.waiver, name="waiver"),
    path("hukou/waiver/<int:pk>.pdf", views.waiver_pdf, name="waiver-pdf"),
    path("hukou/move-out-notice.pdf", views.move_out_notice, name="move-out-notice"),
    path("workbench/hukou/", views.records, name="records"),
    path("workbench/hukou/overview/", views.overview, name="overview"),
    path("workbench/hukou/batch/", views.start_batch, name="batch"),
    path("workbench/hukou/jobs/<int:pk>/", views.job_status, name="job"),
    path("workbench/hukou/jobs/<int:pk>/result.xlsx", views.job_result, name="job-result"),
    path("workbench/hukou/<int:pk>/", views.record_detail, name="record"),
    path("workbench/hukou/<int:pk>/move-out-notice.pdf", views.staff_move_out_notice, name="staff-move-out-notice"),
    path("workbench/hukou/waivers/<int:pk>.pdf", views.staff_waiver_pdf, name="staff-waiver-pdf"),
]
