resource "aws_ecs_task_definition" "app" {
  family                   = "${var.project}-${var.environment}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory

  container_definitions = jsonencode([
    {
      name  = "app"
      image = var.image
      portMappings = [{ containerPort = var.container_port }]
      environment = [
        { "name" : "DEBUG", "value" : "False" },
        { "name" : "DJANGO_ALLOWED_HOSTS", "value" : "*" },
        { "name" : "DEVELOPMENT_MODE", "value" : "False" }
      ]
      secrets = [
        { "name" : "DATABASE_URL", "valueFrom" : "${var.project}-${var.environment}_database_url" },
        { "name" : "DJANGO_SECRET_KEY", "valueFrom" : "${var.project}-${var.environment}_django_secret_key" }
      ]
    }
  ])
}
