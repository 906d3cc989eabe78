from django.urls import path

from tongban.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.mine, name="mine"),
    path("campaigns/<int:pk>/", views.fill, name="fill"),
    path("workbench/campaigns/", views.campaign_list, name="list"),
    path("workbench/campaigns/new/", views.new, name="new"),
    path("workbench/campaigns/<int:pk>/", views.detail, name="detail"),
    path("workbench/campaigns/<int:pk>/counts/", views.counts, name="counts"),
    path("workbench/campaigns/<int:pk>/people/", views.people, name="people"),
    path("workbench/campaigns/<int:pk>/people/<int:assignment>/approve/", views.approve, name="approve"),
    path("workbench/campaigns/<int:pk>/list/", views.upload, name="upload"),
    path("workbench/campaigns/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("workbench/campaigns/<int:pk>/start/", views.start, name="start"),
    path("workbench/campaigns/<int:pk>/remind/", views.remind, name="remind"),
    path("workbench/campaigns/<int:pk>/clone/", views.clone, name="clone"),
    path("workbench/campaigns/<int:pk>/cohort/", views.cohort, name="cohort"),
    path("workbench/campaigns/<int:pk>/answers.xlsx", views.answers_xlsx, name="answers-xlsx"),
    path("workbench/campaigns/<int:pk>/unfilled.xlsx", views.unfilled_xlsx, name="unfilled-xlsx"),
]
