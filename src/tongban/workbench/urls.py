from django.urls import path

from tongban.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people_list, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/unmask/", views.person_unmask, name="person-unmask"),
    path("people/import/", views.import_page, name="import"),
    path("people/import/template.xlsx", views.import_template, name="import-template"),
    path("people/import/<int:pk>/", views.import_status, name="import-status"),
    path("people/import/<int:pk>/report.csv", views.import_report, name="import-report"),
    path("audit/", views.audit_trail, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
]
