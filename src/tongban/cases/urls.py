from django.urls import path

from tongban.cases import document_views, staff_views, views

app_name = "cases"

urlpatterns = [
    path("services/", views.service_list, name="services"),
    path("services/<slug:code>/", views.service_guide, name="guide"),
    path("services/<slug:code>/apply/", views.apply, name="apply"),
    path("cases/", views.my_cases, name="mine"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="edit"),
    path("cases/<int:pk>/upload/", views.upload, name="upload"),
    path("cases/<int:pk>/files/<int:file_pk>/", views.download, name="download"),
    path("cases/<int:pk>/files/<int:file_pk>/remove/", views.remove_file, name="remove-file"),
    path("cases/<int:pk>/result.pdf", document_views.own_result, name="result"),
    path("cases/<int:pk>/<str:action>/", views.act, name="act"),
    path("workbench/todo/", staff_views.todo, name="todo"),
    path("workbench/cases/", staff_views.case_list, name="staff-list"),
    path("workbench/cases/<int:pk>/", staff_views.case_detail, name="staff-detail"),
    path("workbench/cases/<int:pk>/files/<int:file_pk>/", staff_views.download, name="staff-download"),
    path("workbench/cases/<int:pk>/result.pdf", document_views.staff_result, name="staff-result"),
    path("workbench/cases/<int:pk>/accept/", staff_views.acceptance, name="acceptance"),
    path("workbench/work/<int:pk>/", staff_views.work, name="work"),
    path("workbench/delegate/", staff_views.delegate, name="delegate"),
    path("workbench/delegations/", staff_views.delegations, name="delegations"),
    path("workbench/delegations/<int:pk>/revoke/", staff_views.revoke_delegation, name="revoke-delegation"),
]
