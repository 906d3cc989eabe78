from django.urls import path

from tongban.booking import views

app_name = "booking"
urlpatterns = [
    path("booking/", views.index, name="index"),
    path("booking/mine/", views.mine, name="mine"),
    path("booking/mine/<int:pk>/", views.detail, name="detail"),
    path("booking/mine/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("booking/mine/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("booking/<int:pk>/", views.resource, name="resource"),
    path("workbench/booking/", views.desk, name="desk"),
    path("workbench/booking/walk-in/", views.walk_in, name="walk-in"),
    path("workbench/booking/hours/", views.hours, name="hours"),
    path("workbench/booking/hours/<int:pk>/withdraw/", views.withdraw_hours, name="withdraw-hours"),
    path("workbench/booking/<int:pk>/<slug:name>/", views.act, name="act"),
]
